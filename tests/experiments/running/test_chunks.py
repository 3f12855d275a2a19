"""A population trained chunk by chunk on threads: every network once, in whole blocks, to the same bits."""

import threading
import time

import numba
import numpy as np
import pytest

import network
import optimizers
from experiments import Budget, Schedule, Targets, train_population
from experiments.definition.training_setup import TrainingSetup
from experiments.running.kernels import chunks


def test_every_network_is_trained_once_in_chunks_of_whole_blocks_on_several_threads(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    parts, threads = [], set()

    def train(part):
        time.sleep(0.01)  # long enough that every thread gets a chunk
        parts.append((part.start, part.stop))
        threads.add(threading.current_thread().name)

    chunks.train_in_chunks(train, count=1000, width=64)
    assert sorted(parts) == [(start, min(start + 256, 1000)) for start in range(0, 1000, 256)]
    assert len(threads) > 1 and all(name.startswith("optarena-chunk") for name in threads)


def test_fewer_blocks_than_threads_give_every_thread_a_block(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    parts = []
    chunks.train_in_chunks(lambda part: parts.append((part.start, part.stop)), count=100, width=64)
    assert sorted(parts) == [(0, 64), (64, 100)]


def test_one_thread_trains_the_chunks_in_order_here(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 1)
    parts, threads = [], set()

    def train(part):
        parts.append(part.start)
        threads.add(threading.current_thread())

    chunks.train_in_chunks(train, count=600, width=64)
    assert parts == [0, 256, 512] and threads == {threading.current_thread()}


def test_a_chunks_error_is_the_calls_error(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)

    def train(part):
        if part.start == 256:
            raise ValueError("chunk 2 broke")

    with pytest.raises(ValueError, match="chunk 2 broke"):
        chunks.train_in_chunks(train, count=1000, width=64)


def test_a_ctrl_c_lets_each_thread_finish_its_chunk_and_take_no_other(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    monkeypatch.setattr(chunks, "BLOCKS_PER_CHUNK", 1)
    trained = []

    def train(part):
        time.sleep(0.02)
        trained.append(part.start)

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(chunks.interrupts, "checkpoint", interrupted)
    with pytest.raises(KeyboardInterrupt):
        chunks.train_in_chunks(train, count=64 * 200, width=64)
    assert 1 <= len(trained) < 100  # it stops within a poll (chunks.POLL_S), not after the 200 chunks


@pytest.mark.parametrize("schedule", [Schedule("full-batch"), Schedule("per-sample")])
def test_the_1_1_1_kernel_on_threads_gives_the_bits_of_numpy(monkeypatch, schedule):
    monkeypatch.setattr(chunks, "BLOCKS_PER_CHUNK", 1)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 3)
    starts = np.random.default_rng(4).uniform(-8, 8, size=(500, 2))
    setup = TrainingSetup(schedule, Budget(200), Targets.ladder(0.1, 1e-9, 3, headline=1e-6), 3)
    fast, plain = (
        train_population(optimizers.get("adam", learning_rate=0.05), network.get_task("teacher"), starts, setup,
                         accelerate=accelerate)
        for accelerate in (True, False)
    )  # fmt: skip
    for field in fast.FIELDS:
        np.testing.assert_array_equal(getattr(fast, field), getattr(plain, field), err_msg=field)
