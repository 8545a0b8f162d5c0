package dev.dataflow.sql.write;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow batches made in memory, one {@link #fill} at a time, for DuckDB or a table write to pull:
 * there is no source to read bytes from or to close.
 */
public abstract class FilledBatches extends ArrowReader {
  private final Schema schema;

  protected FilledBatches(BufferAllocator allocator, Schema schema) {
    super(allocator);
    this.schema = requireNonNull(schema, "schema is null");
  }

  /** Fills {@code root} (already cleared) with the next batch; false when there is none. */
  protected abstract boolean fill(VectorSchemaRoot root) throws IOException;

  @Override
  public final boolean loadNextBatch() throws IOException {
    prepareLoadNextBatch();
    return fill(getVectorSchemaRoot());
  }

  @Override
  public final long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {}

  @Override
  protected final Schema readSchema() {
    return schema;
  }
}
