"""All of a project's charts, for the regulator's project page to embed as inline SVG."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.domain.chain import SealedRecord
from services.domain.charts.alerts import alert_spans, render_alerts
from services.domain.charts.leads import lead_periods, render_leads
from services.domain.charts.results import material_results, render_results
from services.domain.charts.strength import render_strength, strength_batches
from services.domain.charts.timeline import day_end
from services.domain.state import ProjectState


def project_charts(
    state: ProjectState, records: Sequence[SealedRecord], today: dt.date
) -> dict[str, str]:
    """The four charts of ``state`` (folded from ``records``, the project's whole trail) as SVG
    text, by name: ``leads``, ``strength``, ``results``, ``alerts``. Open periods and open alerts
    run to the end of ``today`` (a day in China): the caller passes the clock's day."""
    until = day_end(today)
    return {
        "leads": render_leads(lead_periods(state), until),
        "strength": render_strength(strength_batches(state, records)),
        "results": render_results(material_results(state), until),
        "alerts": render_alerts(alert_spans(state, records), until),
    }
