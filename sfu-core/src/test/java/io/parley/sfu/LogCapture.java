package io.parley.sfu;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Collects log events of the whole process while a test runs (leaks, stack traces). */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

  static LogCapture capture() {
    LogCapture capture = new LogCapture();
    capture.setName("capture");
    capture.start();
    root().addAppender(capture);
    return capture;
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Override
  protected void append(ILoggingEvent event) {
    events.add(event);
  }

  long leaks() {
    return events.stream().filter(e -> e.getFormattedMessage().contains("LEAK:")).count();
  }

  long withStackTraces() {
    return events.stream().filter(e -> e.getThrowableProxy() != null).count();
  }

  @Override
  public void close() {
    root().detachAppender(this);
    stop();
  }
}
