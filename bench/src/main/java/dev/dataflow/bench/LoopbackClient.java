package dev.dataflow.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal keep-alive HTTP/1.1 client for the load generator: one connection, the same POST over
 * and over, each answer read to its Content-Length. Far lighter than a general client, so on a
 * 2-core machine more of the CPU is left to the server being measured.
 */
final class LoopbackClient implements InferenceBench.Call, AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final byte[] request;

  private LoopbackClient(int port, String method, String path, String body) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream());
    byte[] payload = body.getBytes(StandardCharsets.UTF_8);
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + payload.length
            + "\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    request = new byte[headBytes.length + payload.length];
    System.arraycopy(headBytes, 0, request, 0, headBytes.length);
    System.arraycopy(payload, 0, request, headBytes.length, payload.length);
  }

  /** Connections that POST {@code body} (JSON) to {@code path}. */
  static InferenceBench.CallFactory post(int port, String path, String body) {
    return () -> new LoopbackClient(port, "POST", path, body);
  }

  /** Connections that GET {@code path}: the HTTP stack's own cost, without a model. */
  static InferenceBench.CallFactory get(int port, String path) {
    return () -> new LoopbackClient(port, "GET", path, "");
  }

  /** Sends the request and reads the answer; true when it was 200. */
  @Override
  public boolean call() throws IOException {
    out.write(request);
    out.flush();
    String status = line();
    int length = -1;
    for (String header = line(); !header.isEmpty(); header = line()) {
      if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(header.substring(15).trim());
      }
    }
    if (length < 0) {
      throw new IOException("The server answered without Content-Length: " + status);
    }
    in.readNBytes(length);
    return status.startsWith("HTTP/1.1 200");
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("The server closed the connection");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
