"""The engines: DuckDB (embedded, the default) and Spark (local[*] or any master), each running
the policy compiled to SQL over the same Parquet inputs."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sincerity.batch.compile import DUCKDB, SPARK, Needs, compile_policy
from sincerity.core.errors import ConfigurationError
from sincerity.core.factor_spec import FactorSpec
from sincerity.core.policy import Policy

TABLES = ("excluded", "credibility", "damping")


def needs_of(folder: Path) -> Needs:
    """What the inputs call for, read from Parquet metadata alone (no data is scanned)."""

    def rows(name: str) -> int:
        return int(pq.ParquetFile(folder / f"{name}.parquet").metadata.num_rows)

    supersedes = False
    for part in sorted((folder / "records").glob("*.parquet")):
        meta = pq.ParquetFile(part).metadata
        column = meta.schema.to_arrow_schema().get_field_index("supersedes")
        for group in range(meta.num_row_groups):
            stats = meta.row_group(group).column(column).statistics
            if (
                stats is None
                or not stats.has_null_count
                or stats.null_count < meta.row_group(group).num_rows
            ):
                supersedes = True
                break
        if supersedes:
            break
    return Needs(excluded=rows("excluded") > 0, supersedes=supersedes, damping=rows("damping") > 0)


def run_duckdb(
    folder: Path,
    policy: Policy,
    as_of: date,
    trust_known: bool,
    threads: int | None = None,
    specs: tuple[FactorSpec, ...] | None = None,
) -> pa.Table:
    """Per-subject factor points computed by DuckDB over folder/records/*.parquet."""
    import duckdb

    connection = duckdb.connect()
    try:
        # A bounded buffer: DuckDB spills the aggregation to disk beyond it rather than take 80%
        # of the machine (at 10M subjects the limit costs no time and a third of the memory).
        limit = os.environ.get("SINCERITY_DUCKDB_MEMORY", "2GB")
        try:
            connection.execute("SET memory_limit = ?", [limit])
        except duckdb.Error as error:
            raise ConfigurationError(
                f"SINCERITY_DUCKDB_MEMORY={limit!r} is not a memory size (e.g. 2GB, 512MB): {error}"
            ) from error
        spill = Path(tempfile.gettempdir()) / "sincerity-duckdb-spill"
        connection.execute(f"SET temp_directory = '{spill}'")
        if threads:
            connection.execute(f"SET threads = {int(threads)}")
        connection.execute(
            f"CREATE VIEW records AS SELECT * FROM read_parquet('{folder / 'records'}/*.parquet')"
        )
        for name in TABLES:
            path = folder / f"{name}.parquet"
            connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
        return connection.sql(
            compile_policy(policy, as_of, DUCKDB, trust_known, needs_of(folder), specs)
        ).to_arrow_table()
    finally:
        connection.close()


_SPARK: Any = None
_SPARK_MASTER: str | None = None


def spark_session(master: str = "local[*]") -> Any:
    """One SparkSession per process and master, quiet, with the session time zone pinned to UTC.
    Asking for another master stops the running session and starts one there."""
    global _SPARK, _SPARK_MASTER
    if _SPARK is not None and master != _SPARK_MASTER:
        _SPARK.stop()
        _SPARK = None
    if _SPARK is None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        from pyspark.sql import SparkSession

        _SPARK = (
            SparkSession.builder.master(master)
            .appName("sincerity-rescore")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.host", "127.0.0.1")  # local mode talks to itself on loopback
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.memory", os.environ.get("SINCERITY_SPARK_MEMORY", "4g"))
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
        _SPARK_MASTER = master
    return _SPARK


def run_spark(
    folder: Path,
    policy: Policy,
    as_of: date,
    trust_known: bool,
    master: str = "local[*]",
    out: Path | None = None,
    specs: tuple[FactorSpec, ...] | None = None,
) -> pa.Table:
    """Per-subject factor points computed by Spark; written as Parquet (to `out`, or to a
    temporary folder removed once the result is read back)."""
    spark = spark_session(master)
    spark.read.parquet(str(folder / "records")).createOrReplaceTempView("records")
    for name in TABLES:
        spark.read.parquet(str(folder / f"{name}.parquet")).createOrReplaceTempView(name)
    result = spark.sql(compile_policy(policy, as_of, SPARK, trust_known, needs_of(folder), specs))
    if out is not None:
        result.write.mode("overwrite").parquet(str(out))
        return pq.read_table(str(out))
    with tempfile.TemporaryDirectory(prefix="sincerity-spark-") as scratch:
        target = Path(scratch) / "scores"
        result.write.mode("overwrite").parquet(str(target))
        table = pq.read_table(str(target))
        return table.combine_chunks()  # read into memory before the folder goes
