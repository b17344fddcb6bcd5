package io.parley.signalling.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * Splitting SDP text without regular expressions. {@code String.split("\\s+")} compiles a pattern
 * on every call: a browser's offer has a hundred lines or more, so a join compiled and ran hundreds
 * of patterns, and the JIT then compiled the regex engine while the first meetings ran (measured: a
 * fifth of the compiler's work while four people joined).
 */
final class SdpText {
  private SdpText() {}

  /** The lines of {@code text}, split at LF with an optional CR before it removed. */
  static String[] lines(String text) {
    List<String> lines = new ArrayList<>(128);
    int start = 0;
    int n = text.length();
    while (start <= n) {
      int newline = text.indexOf('\n', start);
      int end = newline < 0 ? n : newline;
      int cut = newline > start && text.charAt(newline - 1) == '\r' ? newline - 1 : end;
      lines.add(text.substring(start, cut));
      if (newline < 0) {
        break;
      }
      start = newline + 1;
    }
    if (n == 0) {
      return new String[] {""};
    }
    // As String.split: trailing empty lines are dropped.
    int size = lines.size();
    while (size > 0 && lines.get(size - 1).isEmpty()) {
      size--;
    }
    return lines.subList(0, size).toArray(new String[0]);
  }

  /** The fields of {@code value} separated by runs of whitespace, ignoring it at either end. */
  static String[] fields(String value) {
    return fields(value, 0);
  }

  /**
   * As {@link #fields(String)}, with at most {@code limit} fields (0: no limit): the last one then
   * holds the rest of the value as it was.
   */
  static String[] fields(String value, int limit) {
    int n = value.length();
    int end = n;
    while (end > 0 && isSpace(value.charAt(end - 1))) {
      end--;
    }
    int i = 0;
    while (i < end && isSpace(value.charAt(i))) {
      i++;
    }
    if (i == end) {
      return new String[] {""};
    }
    List<String> fields = new ArrayList<>(8);
    while (i < end) {
      if (limit > 0 && fields.size() == limit - 1) {
        fields.add(value.substring(i, end));
        break;
      }
      int start = i;
      while (i < end && !isSpace(value.charAt(i))) {
        i++;
      }
      fields.add(value.substring(start, i));
      while (i < end && isSpace(value.charAt(i))) {
        i++;
      }
    }
    return fields.toArray(new String[0]);
  }

  /** Regex {@code \s}: space, tab, LF, VT, FF, CR. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }
}
