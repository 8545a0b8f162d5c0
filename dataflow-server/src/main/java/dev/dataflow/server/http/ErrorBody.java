package dev.dataflow.server.http;

/** Every error answer: a code, a message a person can act on, and for SQL where it went wrong. */
record ErrorBody(String errorCode, String message, int line, int column) {}
