"""One local Spark session for every part that runs on Spark (template clusters, person resolution).

A Python process starts one JVM, and ``spark.jars`` counts only when it starts: whichever part asks first must
bring every jar any part needs (Splink's similarity functions), or the other part finds its functions missing.
"""

from __future__ import annotations

import logging
import tempfile
from typing import Any


def local_session(app_name: str = "vigil", cores: int | None = None) -> Any:
    """A local-mode SparkSession with Splink's similarity functions, quiet (no UI, no progress bars)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    logging.getLogger("py4j").setLevel(logging.ERROR)
    spark = (
        SparkSession.builder.master(f"local[{cores or 2}]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.adaptive.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    if spark.sparkContext.getCheckpointDir() is None:
        spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="vigil-spark-ckpt-"))
    return spark
