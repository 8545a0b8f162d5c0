package dev.dataflow.server;

import dev.dataflow.ml.Models;
import dev.dataflow.ml.Task;
import dev.dataflow.ml.registry.ModelRegistry.Deployment;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.ml.training.TrainSpec;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's model: will a TPC-H line item arrive after its committed date? An XGBoost classifier
 * of 100 trees trained on a tenth of the demo lake's line items, aliased {@code champion} and
 * deployed, so {@code /v2/models/late_shipment/infer} answers from the first start.
 */
final class DemoModel {
  private static final Logger LOG = LoggerFactory.getLogger(DemoModel.class);
  static final String NAME = "late_shipment";
  private static final String ROWS =
      """
      SELECT l.l_quantity AS quantity, l.l_discount AS discount,
             l.l_shipdate - o.o_orderdate AS ship_days,
             l.l_commitdate - o.o_orderdate AS commit_days,
             CASE WHEN l.l_receiptdate > l.l_commitdate THEN 1 ELSE 0 END AS late
      FROM tpch.lineitem l JOIN tpch.orders o ON l.l_orderkey = o.o_orderkey
      WHERE l.l_orderkey % 10 = 0""";

  private DemoModel() {}

  static void trainIfAbsent(Models models) {
    if (models.registry().models().stream().anyMatch(m -> m.name().equals(NAME))) {
      return;
    }
    long start = System.nanoTime();
    ModelVersion version =
        models.train(
            new TrainSpec(
                NAME,
                null,
                ROWS,
                "late",
                List.of(),
                Task.CLASSIFICATION,
                Map.of("max_depth", 4),
                0.2,
                42,
                "Demo: does a line item arrive after its commit date?"),
            "system");
    models.alias(NAME, "champion", version.version());
    models.endpoints().deploy(new Deployment(NAME, "champion", null, 0));
    LOG.info(
        "Demo model {} trained in {} ms (AUC {}) and deployed",
        NAME,
        (System.nanoTime() - start) / 1_000_000,
        version.metrics().get("auc"));
  }
}
