package dev.dataflow.server.auth;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The one place every request (REST, Flight SQL, console, serving) is authenticated. With no
 * password configured the server trusts its callers as principal {@code local}: that is the
 * embedded default, which listens on the loopback address only. With a password, HTTP Basic
 * credentials for user {@code admin} are required. The password is compared in constant time and
 * never logged.
 */
public final class Authenticator {
  public static final String LOCAL = "local";
  public static final String ADMIN = "admin";

  private final byte[] password;

  private Authenticator(String password) {
    this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
  }

  /** Trusts every caller as {@code local}. */
  public static Authenticator open() {
    return new Authenticator(null);
  }

  public static Authenticator withPassword(String password) {
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("password is empty");
    }
    return new Authenticator(password);
  }

  public boolean required() {
    return password != null;
  }

  /** Resolves the principal of a request from its {@code Authorization} header (may be null). */
  public Principal authenticate(String authorization) {
    if (password == null) {
      return new Principal(LOCAL);
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw new DataflowException(ErrorCode.UNAUTHENTICATED, "Sign in with user and password");
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).trim()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new DataflowException(ErrorCode.UNAUTHENTICATED, "Malformed Basic credentials");
    }
    int colon = decoded.indexOf(':');
    return authenticate(
        colon < 0 ? decoded : decoded.substring(0, colon),
        colon < 0 ? "" : decoded.substring(colon + 1));
  }

  /** Resolves the principal of a user name and password pair. */
  public Principal authenticate(String user, String secret) {
    if (password == null) {
      return new Principal(LOCAL);
    }
    boolean matches =
        MessageDigest.isEqual(
            password, (secret == null ? "" : secret).getBytes(StandardCharsets.UTF_8));
    if (!ADMIN.equals(user) || !matches) {
      throw new DataflowException(ErrorCode.UNAUTHENTICATED, "Wrong user or password");
    }
    return new Principal(ADMIN);
  }
}
