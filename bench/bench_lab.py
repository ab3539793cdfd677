"""The lab's speed: 1,000,000 agents x 100 months, vectorised (target: under 5 minutes on this
2-core machine), against the same rules written agent-per-object in Mesa at 10,000 agents in the
same run, per agent-month; and, like for like, the vectorised model at Mesa's own size."""

from __future__ import annotations

import argparse
import time
import tracemalloc

from common import report
from mesa_society import Society
from sincerity.lab import LabConfig, Model, load_lab_policy
from sincerity.policies import shipped_policy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--mesa-agents", type=int, default=10_000)
    parser.add_argument("--mesa-steps", type=int, default=5)
    parser.add_argument("--preset", default="described")
    args = parser.parse_args()
    policy = load_lab_policy(args.preset, {"default": shipped_policy()})

    started = time.perf_counter()
    society = Society(policy, args.mesa_agents, seed=1)
    mesa_init = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(args.mesa_steps):
        society.step()
    mesa_s = time.perf_counter() - started
    print(
        f"Mesa: {args.mesa_agents:,} agents x {args.mesa_steps} months in {mesa_s:.1f} s",
        flush=True,
    )

    Model(policy, LabConfig(agents=100), seed=1).run(14)  # imports and caches, not timed
    started = time.perf_counter()
    Model(policy, LabConfig(agents=args.mesa_agents), seed=1).run(args.mesa_steps * 4)
    same_size_per = (time.perf_counter() - started) / (args.mesa_agents * args.mesa_steps * 4)

    tracemalloc.start()
    started = time.perf_counter()
    model = Model(policy, LabConfig(agents=args.agents), seed=1)
    init_s = time.perf_counter() - started
    started = time.perf_counter()
    model.run(args.steps)
    run_s = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    mesa_per = mesa_s / (args.mesa_agents * args.mesa_steps)
    lab_per = run_s / (args.agents * args.steps)
    rows = [
        {
            "model": f"Mesa agent-per-object ({args.preset}, baseline)",
            "agents": args.mesa_agents,
            "months": args.mesa_steps,
            "setup_s": mesa_init,
            "run_s": mesa_s,
            "us_per_agent_month": 1e6 * mesa_per,
            "peak_MiB": float("nan"),
            "speedup": 1.0,
        },
        {
            "model": f"sincerity.lab vectorised ({args.preset}, Mesa's size)",
            "agents": args.mesa_agents,
            "months": args.mesa_steps * 4,
            "setup_s": float("nan"),
            "run_s": same_size_per * args.mesa_agents * args.mesa_steps * 4,
            "us_per_agent_month": 1e6 * same_size_per,
            "peak_MiB": float("nan"),
            "speedup": mesa_per / same_size_per,
        },
        {
            "model": f"sincerity.lab vectorised ({args.preset})",
            "agents": args.agents,
            "months": args.steps,
            "setup_s": init_s,
            "run_s": run_s,
            "us_per_agent_month": 1e6 * lab_per,
            "peak_MiB": peak,
            "speedup": mesa_per / lab_per,
        },
    ]
    report("lab", rows)
    print(
        f"Target: {args.agents:,} x {args.steps} under 300 s (took {init_s + run_s:.0f} s). "
        f"Per agent-month against Mesa: {mesa_per / same_size_per:.0f}x at Mesa's size, "
        f"{mesa_per / lab_per:.0f}x at {args.agents:,} agents."
    )


if __name__ == "__main__":
    main()
