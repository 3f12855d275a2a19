"""What the pipeline's tests share: a held-out trial trained by hand, one network alone."""

import numpy as np
import pytest

from experiments.running.held_out_training import evaluate, initial_weights
from network import matrix_pass


@pytest.fixture
def trial_by_hand():
    """``train(spec, study, trial, optimizer)``: trial ``trial`` of study ``study`` of the held-out ``spec``'s first
    task and schedule, trained alone by ``optimizer`` on the study's batches in their order, as `train_unit` trains
    it.  Returns its weights, the optimizer's state, and ``errors(weights)``: the error rate and mean loss of those
    weights on the study's train, validation and test parts, (3, 2), as `train_unit` records them."""

    def train(spec, study: int, trial: int, optimizer):
        task, schedule = spec.tasks[0], spec.schedules[0]
        weights = initial_weights(task.network, spec.seeds, spec.trials)[study, trial]
        parts = task.parts_of(spec.seeds[study])
        train_part, orders = parts[0], schedule.epochs(len(parts[0].labels), spec.seeds[study])
        state, targets = optimizer.init(weights), task.targets(train_part.labels)
        for _ in range(spec.max_epochs):
            for rows in next(orders):
                error, grad = matrix_pass.loss_and_grad(task.network, task.loss, weights, train_part.inputs[rows],
                                                        targets[rows])  # fmt: skip
                weights, state = optimizer.step(weights, grad, state, loss=error)

        def errors(at) -> np.ndarray:
            found = np.empty((3, 2))
            evaluate(task, [(part.inputs, part.labels) for part in parts], at, found)
            return found

        return weights, state, errors

    return train
