package dev.dataflow.server.flight;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.server.auth.Principal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.apache.arrow.flight.auth2.AuthUtilities;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;

/**
 * Flight's header authentication over the one {@link Authenticator}. A call with Basic credentials
 * (the JDBC driver's handshake) is checked and answered with a bearer token that later calls send
 * instead; a call with no credentials is let in only when the authenticator does not require any.
 * Tokens live in memory: after a restart or {@link #IDLE} without use the client signs in again.
 */
final class HeaderAuthenticator implements CallHeaderAuthenticator {
  static final Duration IDLE = Duration.ofHours(8);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Authenticator auth;
  private final Clock clock;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  HeaderAuthenticator(Authenticator auth, Clock clock) {
    this.auth = requireNonNull(auth, "auth is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  private record Session(String principal, long lastUsed) {}

  @Override
  public AuthResult authenticate(CallHeaders headers) {
    String token = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BEARER_PREFIX);
    if (token != null) {
      return resume(token);
    }
    String authorization = headers.get(Auth2Constants.AUTHORIZATION_HEADER);
    Principal principal;
    try {
      principal = auth.authenticate(authorization);
    } catch (DataflowException e) {
      throw FlightErrors.of(e);
    }
    if (authorization == null) {
      // open mode: nothing was presented, so there is nothing to remember
      return principal::name;
    }
    return issue(principal.name());
  }

  private AuthResult resume(String token) {
    long now = clock.millis();
    Session session =
        sessions.computeIfPresent(
            token, (t, s) -> fresh(s, now) ? new Session(s.principal(), now) : null);
    if (session == null && !auth.required()) {
      // a token from before a restart: open mode needs none anyway
      return auth.authenticate(null)::name;
    }
    if (session == null) {
      throw FlightErrors.of(
          ErrorCode.UNAUTHENTICATED,
          "The session has expired: connect again with user and password");
    }
    String principal = session.principal();
    return () -> principal;
  }

  private AuthResult issue(String principal) {
    long now = clock.millis();
    sessions.values().removeIf(s -> !fresh(s, now));
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    sessions.put(token, new Session(principal, now));
    return new AuthResult() {
      @Override
      public String getPeerIdentity() {
        return principal;
      }

      @Override
      public void appendToOutgoingHeaders(CallHeaders outgoing) {
        outgoing.insert(Auth2Constants.AUTHORIZATION_HEADER, Auth2Constants.BEARER_PREFIX + token);
      }
    };
  }

  private static boolean fresh(Session session, long now) {
    return now - session.lastUsed() < IDLE.toMillis();
  }
}
