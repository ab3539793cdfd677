"""Fitted scorecards and fairness audits: learn points from outcomes, show they treat groups
fairly. Fitting uses optbinning and scikit-learn; the fitted card runs in the pure core."""
