package dev.dataflow.server.flight;

import java.util.function.Consumer;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** Sends a result built in memory (catalog metadata) as one batch, in its own child allocator. */
final class SmallResults {
  private SmallResults() {}

  static void send(
      BufferAllocator parent,
      String name,
      Schema schema,
      Consumer<VectorSchemaRoot> fill,
      ServerStreamListener listener) {
    try (BufferAllocator allocator = parent.newChildAllocator(name, 0, Long.MAX_VALUE);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      fill.accept(root);
      listener.start(root);
      listener.putNext();
      listener.completed();
    } catch (RuntimeException e) {
      listener.error(FlightErrors.of(e));
    }
  }

  static void empty(BufferAllocator parent, Schema schema, ServerStreamListener listener) {
    send(parent, "empty", schema, root -> root.setRowCount(0), listener);
  }
}
