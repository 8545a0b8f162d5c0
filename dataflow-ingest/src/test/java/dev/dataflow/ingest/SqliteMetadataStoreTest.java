package dev.dataflow.ingest;

import dev.dataflow.lake.LakeConfig;
import java.nio.file.Path;

/** The metadata store contract on the embedded default: a SQLite file. */
class SqliteMetadataStoreTest extends MetadataStoreContract {
  @Override
  protected LakeConfig store(Path data) {
    return LakeConfig.embedded(data);
  }
}
