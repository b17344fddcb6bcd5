package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The repository's files, and the external tools the tests run on them. */
final class Repo {
  private Repo() {}

  static Path root() {
    String prop = System.getProperty("parley.repo.root");
    Path root = (prop != null ? Path.of(prop) : Path.of("..")).toAbsolutePath().normalize();
    assertThat(root.resolve("deploy")).as("repository root %s has deploy/", root).isDirectory();
    return root;
  }

  static Path file(String relative) {
    Path p = root().resolve(relative);
    assertThat(p).as("%s exists", relative).exists();
    return p;
  }

  static String read(String relative) {
    try {
      return Files.readString(file(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + relative, e);
    }
  }

  /**
   * The named executable on PATH. Absent is a failure, not a skip: CI installs it (.ci/install),
   * and a check that silently does not run is worse than none.
   */
  static Path tool(String name, String debianPackage) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return fail(
        "%s is not on PATH (%s). Install the Debian package '%s' (bash .ci/install does).",
        name, path, debianPackage);
  }

  /** Output and exit code of a finished command. */
  record Result(int exitCode, String stdout, String stderr) {
    String all() {
      return stdout + stderr;
    }
  }

  /**
   * Runs a command in {@code dir} and waits for it, at most two minutes; it is killed if it takes
   * longer.
   */
  static Result run(Path dir, List<String> command) {
    return run(dir, command, null);
  }

  /**
   * As {@link #run(Path, List)}, with exactly the given environment when {@code env} is not null.
   */
  static Result run(Path dir, List<String> command, java.util.Map<String, String> env) {
    try {
      Path out = Files.createTempFile("ops-tests", ".out");
      Path err = Files.createTempFile("ops-tests", ".err");
      try {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        if (env != null) {
          builder.environment().clear();
          builder.environment().putAll(env);
        }
        Process process =
            builder
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          fail("%s did not finish within 2 minutes", command);
        }
        return new Result(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }

  static Result runOk(Path dir, List<String> command) {
    Result r = run(dir, command);
    assertThat(r.exitCode())
        .as("%s exited %d:%n%s", String.join(" ", command), r.exitCode(), r.all())
        .isZero();
    return r;
  }
}
