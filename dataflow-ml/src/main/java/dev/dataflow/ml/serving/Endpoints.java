package dev.dataflow.ml.serving;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.ModelRuntime;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.ModelRef;
import dev.dataflow.ml.registry.ModelRegistry;
import dev.dataflow.ml.registry.ModelRegistry.Deployment;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.ml.runtime.Runtimes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployed models and the loaded runtimes behind them. A route is swapped in one step after its
 * new model is loaded, and a runtime, once loaded, stays loaded until shutdown: a request that
 * picked the old route finishes on the old model, so moving an alias drops no request.
 */
public final class Endpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);

  private final ModelRegistry registry;
  private final Map<String, ModelRuntime> loaded = new ConcurrentHashMap<>();
  private final Map<String, Route> routes = new ConcurrentHashMap<>();

  public Endpoints(ModelRegistry registry) {
    this.registry = requireNonNull(registry, "registry is null");
  }

  /** A version with its loaded runtime. */
  public record Served(ModelVersion version, ModelRuntime runtime) {}

  /** Where a deployed model's requests go: the primary version and an optional canary share. */
  public record Route(Deployment deployment, Served primary, Served canary) {
    /** Whether this route is what {@code deployment} resolves to now. */
    boolean serves(Deployment wanted, ModelRegistry registry) {
      return deployment.equals(wanted)
          && primary.version().version() == registry.resolve(wanted.primary()).version()
          && (canary == null
              || canary.version().version() == registry.resolve(wanted.canaryRef()).version());
    }

    Served pick() {
      return canary != null && ThreadLocalRandom.current().nextInt(100) < deployment.canaryPercent()
          ? canary
          : primary;
    }
  }

  /**
   * Makes the routes match the stored deployments and the versions their aliases name now: at
   * start, and every few seconds after, so that a deployment or an alias changed through another
   * process is followed. A route is reloaded only when its deployment or a resolved version
   * changed; one that cannot load is logged and left as it was.
   */
  public void sync() {
    List<Deployment> deployments = registry.deployments();
    for (Deployment deployment : deployments) {
      Route current = routes.get(deployment.model());
      try {
        if (current == null || !current.serves(deployment, registry)) {
          routes.put(deployment.model(), route(deployment));
        }
      } catch (RuntimeException e) {
        LOG.warn(
            "Model {} is deployed but cannot be served: {}", deployment.model(), e.getMessage());
      }
    }
    routes.keySet().removeIf(model -> deployments.stream().noneMatch(d -> d.model().equals(model)));
  }

  public Route deploy(Deployment deployment) {
    requireNonNull(deployment, "deployment is null");
    if (deployment.canaryPercent() < 0 || deployment.canaryPercent() > 100) {
      throw Errors.invalid("The canary share is a percentage from 0 to 100");
    }
    if (deployment.canary() == null && deployment.canaryPercent() > 0) {
      throw Errors.invalid("A canary share needs a canary version or alias");
    }
    Route route = route(deployment);
    registry.deploy(deployment);
    routes.put(deployment.model(), route);
    return route;
  }

  public void undeploy(String model) {
    if (!registry.undeploy(model)) {
      throw Errors.notFound("Model " + model + " is not deployed");
    }
    routes.remove(model);
  }

  /** Re-resolves a deployed model's aliases, after one moved; loads first, then swaps. */
  public void refresh(String model) {
    Route current = routes.get(model);
    if (current != null) {
      routes.put(model, route(current.deployment()));
    }
  }

  /** A model's live route, or null when it is not deployed (or its model could not be loaded). */
  public Route deployed(String model) {
    return routes.get(model);
  }

  public Route route(String model) {
    Route route = deployed(model);
    if (route == null) {
      throw Errors.notFound(
          "Model "
              + model
              + " is not deployed; deployed models: "
              + routes.keySet().stream().sorted().toList());
    }
    return route;
  }

  /** A request's model: the route's pick, or the named version of a deployed model. */
  public Served served(String model, int version) {
    Route route = route(model);
    if (version == ModelRef.LATEST) {
      return route.pick();
    }
    return load(registry.resolve(new ModelRef(model, version, null)));
  }

  /** The runtime of any registered version (batch scoring and SQL need no deployment). */
  public Served load(ModelVersion version) {
    String key = version.model() + ":" + version.version();
    ModelRuntime runtime =
        loaded.computeIfAbsent(
            key,
            k ->
                Runtimes.load(version.format(), registry.file(version), version.features().size()));
    return new Served(version, runtime);
  }

  private Route route(Deployment deployment) {
    Served primary = load(registry.resolve(deployment.primary()));
    ModelRef canary = deployment.canaryRef();
    return new Route(deployment, primary, canary == null ? null : load(registry.resolve(canary)));
  }

  @Override
  public void close() {
    routes.clear();
    loaded.values().forEach(ModelRuntime::close);
    loaded.clear();
  }
}
