"""Inline SVG charts of a project for the regulator's page: pure, no I/O, no JavaScript.

Each chart is two pure steps: an extraction from the state (and the sealed records where the
state keeps no figure or time: evaluations' group values, resolutions' times) into frozen
dataclasses, and a renderer from those into SVG text built with ElementTree, so every name and id
from the trail is escaped. ``project.project_charts`` gives all four: ``leads`` (the five parties'
leads as a Gantt chart), ``strength`` (concrete batches against GB/T 50107-2010), ``results``
(test reports over time), ``alerts`` (open alerts over time). Same input, same bytes.
"""
