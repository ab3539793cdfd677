"""The fairness audit as a self-contained HTML page (charts inline) — JSON is the machines' copy."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from sincerity.charts import bar_chart

STYLE = (
    "body{font:16px/1.5 system-ui,'DejaVu Sans',sans-serif;color:#16202a;max-width:1000px;margin:0 auto;padding:16px}"
    "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #c9d1d9;padding:6px;text-align:left}"
    "svg.chart{width:100%;height:auto}.axis-big{font-size:14px;fill:#16202a}rect.bar{fill:#0b5cad}"
    ".bad{color:#a40e26;font-weight:700}.good{color:#116329;font-weight:700}"
)


def _pct(value: float) -> str:
    return (
        "—"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{100 * value:.1f}%"
    )


def _features(result: dict[str, Any]) -> str:
    features = result.get("features")
    if not features:
        return ""
    monotone = ", ".join(escape(n) for n in features["monotone"]) or "none"
    free = ", ".join(escape(n) for n in features["unconstrained"]) or "none"
    purpose = (
        "<p class='bad'>This card scores what the loan buys (purpose): the lender allowed it "
        "(--allow-purpose).</p>"
        if features.get("allows_purpose")
        else "<p>What the loan buys (purpose) is not scored.</p>"
    )
    offset = (
        f"<p>Scores are prior-corrected to the population's bad rate ({features['offset']:+.1f} points).</p>"
        if features.get("offset")
        else ""
    )
    return (
        f"<h2>What the card scores</h2><p>Monotone in their order: {monotone}.</p>"
        f"<p>Unconstrained (categories grouped by bad rate, no order to respect): {free}.</p>{purpose}{offset}"
    )


def _proxies(result: dict[str, Any], name: str) -> str:
    proxy = result.get("proxies", {}).get(name)
    if not proxy or proxy["auc"] is None:
        return ""
    verdict = (
        "<span class='bad'>a strong proxy</span>"
        if proxy["strong_proxy"]
        else "<span class='good'>a weak proxy</span>"
    )
    rows = "".join(
        f"<tr><td>{escape(c['feature'])}</td><td>{c['cramers_v']:.3f}</td><td>{c['mutual_information']:.4f}</td></tr>"
        for c in proxy["features"]
    )
    return (
        f"<h3>Proxies</h3><p>The card's features predict {escape(name)} with cross-validated AUC "
        f"{proxy['auc']:.3f}: {verdict} (0.70 or more is strong).</p>"
        "<table><thead><tr><th>Feature</th><th>Cramér's V</th><th>Mutual information (nats)</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def html_report(result: dict[str, Any], evaluation: dict[str, Any] | None = None) -> str:
    parts = [
        f"<h1>Fairness audit of {escape(result['scorecard'])}</h1>",
        f"<p>{result['applicants']} applicants; approved at a score of {result['threshold']:.0f} or more "
        f"({_pct(result['approval_rate'])} approved). Judged on {escape(result.get('predictions', 'in-sample predictions'))}.</p>",
    ]
    if evaluation:
        parts.append(
            f"<p>Cross-validated ({evaluation['folds']} folds): AUC {evaluation['auc_mean']:.3f} "
            f"± {evaluation['auc_sd']:.3f}, Gini {evaluation['gini_mean']:.3f}, KS {evaluation['ks_mean']:.3f}"
            + (
                f"; without purpose: AUC {evaluation['auc_without_purpose']:.3f}"
                if "auc_without_purpose" in evaluation
                else ""
            )
            + ".</p>"
        )
    parts.append(_features(result))
    for name, entry in result["audits"].items():
        verdict = (
            "<span class='bad'>four-fifths rule violated</span>"
            if entry["four_fifths_violation"]
            else "<span class='good'>passes the four-fifths rule</span>"
        )
        low, high = entry.get("demographic_parity_ratio_ci", (math.nan, math.nan))
        parts.append(
            f"<h2>By {escape(name)}</h2><p>Demographic parity ratio "
            f"{entry['demographic_parity_ratio']:.3f} (bootstrap 95% interval {low:.3f}–{high:.3f}): {verdict}; "
            f"probability that it fails: {_pct(entry.get('probability_four_fifths_fails', math.nan))}."
        )
        if entry.get("too_small_to_conclude"):
            parts.append(
                f" <span class='bad'>Too small to conclude</span> (under {result.get('min_group', 50)} applicants): "
                + ", ".join(escape(g) for g in entry["too_small_to_conclude"])
                + "."
            )
        if "equalized_odds_difference" in entry:
            parts.append(f" Equalized odds difference {entry['equalized_odds_difference']:.3f}.")
        parts.append("</p>")
        parts.append(
            bar_chart(
                [(g, round(100 * v["selection_rate"])) for g, v in entry["groups"].items()],
                f"Selection rate by {name} (%)",
            )
        )
        rows = "".join(
            f"<tr><td>{escape(g)}</td><td>{int(v['applicants'])}</td><td>{_pct(v['selection_rate'])}</td>"
            f"<td>{_pct(v.get('true_positive_rate', math.nan))}</td><td>{_pct(v.get('false_positive_rate', math.nan))}</td></tr>"
            for g, v in entry["groups"].items()
        )
        parts.append(
            "<table><thead><tr><th>Group</th><th>Applicants</th><th>Selected</th><th>True-positive rate</th>"
            f"<th>False-positive rate</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        if entry.get("calibration"):
            cal = "".join(
                f"<tr><td>{escape(c['band'])}</td><td>{escape(c['group'])}</td><td>{c['applicants']}</td>"
                f"<td>{_pct(c['observed_bad_rate'])}</td></tr>"
                for c in entry["calibration"]
            )
            parts.append(
                "<h3>Calibration by group</h3><table><thead><tr><th>Score band</th><th>Group</th>"
                f"<th>Applicants</th><th>Observed bad rate</th></tr></thead><tbody>{cal}</tbody></table>"
            )
        parts.append(_proxies(result, name))
        fix = entry.get("rebalanced_threshold")
        if fix:
            parts.append(
                f"<p><strong>Rebalancing option:</strong> one threshold for everyone at {fix['threshold']:.0f} "
                f"gives a parity ratio of {fix['demographic_parity_ratio']:.3f} and approves "
                f"{_pct(fix['approval_rate'])}"
                + (
                    f", with {_pct(fix['bad_rate_among_approved'])} bad among the approved"
                    if "bad_rate_among_approved" in fix
                    else ""
                )
                + ".</p>"
            )
    if "psi" in result:
        parts.append(
            f"<h2>Population stability</h2><p>PSI {result['psi']['value']:.3f}: {escape(result['psi']['band'])} "
            "(below 0.10 stable, 0.10–0.25 watch, above 0.25 refit).</p>"
        )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Fairness audit</title>"
        f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>"
    )
