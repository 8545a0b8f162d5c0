package dev.dataflow.server.http;

import dev.dataflow.ingest.spec.PipelineSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A pipeline's stages in the order rows pass them (origin, transforms, constraints, destinations,
 * errors), named as its YAML names them, so a client can draw the flow without parsing YAML. No
 * secret is part of a stage: a JDBC origin is described by its table or "query", never its URL.
 */
final class PipelineStages {
  record Stage(String kind, String name, String detail) {}

  private PipelineStages() {}

  static List<Stage> of(PipelineSpec spec) {
    List<Stage> stages = new ArrayList<>();
    stages.add(origin(spec.origin()));
    spec.transforms().forEach(t -> stages.add(new Stage("transform", t.name(), t.sql())));
    PipelineSpec.Constraints constraints = spec.constraints();
    if (!constraints.notNull().isEmpty() || !constraints.checks().isEmpty()) {
      List<String> rules = new ArrayList<>();
      constraints.notNull().forEach(column -> rules.add(column + " IS NOT NULL"));
      constraints.checks().forEach(check -> rules.add(check.name() + ": " + check.sql()));
      stages.add(new Stage("constraints", "constraints", String.join("\n", rules)));
    }
    for (PipelineSpec.Destination destination : spec.destinations()) {
      String when = destination.when() == null ? "" : " when " + destination.when();
      stages.add(
          new Stage(
              "destination",
              destination.table().toString(),
              destination.mode().name().toLowerCase() + when));
    }
    PipelineSpec.ErrorPolicy errors = spec.errors();
    stages.add(
        new Stage(
            "errors",
            errors.table() == null
                ? errors.policy().name().toLowerCase()
                : errors.table().toString(),
            errors.policy().name().toLowerCase()));
    return List.copyOf(stages);
  }

  private static Stage origin(PipelineSpec.Origin origin) {
    if (origin instanceof PipelineSpec.FilesOrigin files) {
      return new Stage(
          "origin",
          "files",
          files.format().name().toLowerCase()
              + " "
              + files.location()
              + (files.glob() == null ? "" : " " + files.glob()));
    }
    if (origin instanceof PipelineSpec.JdbcOrigin jdbc) {
      return new Stage("origin", "jdbc", jdbc.table() != null ? jdbc.table() : "query");
    }
    return new Stage("origin", "http", "rows pushed to POST /api/v1/pipelines/{name}/ingest");
  }
}
