"""Pure rules of the oversight service: matching people across files, reading other departments' rows, what
each check finds, problems and their rectification, spot-check sampling, purchased services' evaluation, the
KPIs and the monthly report."""
