"""The channel the trail writer notifies on commit, naming each decided event id, and the API's
outcome listener listens on."""

OUTCOME_CHANNEL = "qtrail_outcome"
