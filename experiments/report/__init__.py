"""The report: one self-contained page (`document`, in Markdown and HTML) with its interactive explorer
(`explorer`), above the figures it embeds (`experiments.plots`) and the tables it quotes (`experiments.analysis`)."""
