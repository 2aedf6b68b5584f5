"""``qtrail witness``: a witness of a qtrail log (or any C2SP tlog-tiles log), run by an outside
body with its own key and state."""
