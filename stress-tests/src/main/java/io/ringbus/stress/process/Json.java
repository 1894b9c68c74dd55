package io.ringbus.stress.process;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A small JSON object writer: fields in the order given, strings escaped. */
final class Json {
    private final StringBuilder out = new StringBuilder("{");
    private boolean first = true;

    private Json key(String key) {
        if (!first) {
            out.append(',');
        }
        first = false;
        quote(key);
        out.append(':');
        return this;
    }

    Json field(String key, String value) {
        key(key).quote(value);
        return this;
    }

    Json field(String key, long value) {
        key(key).out.append(value);
        return this;
    }

    Json field(String key, double value) {
        key(key).out.append(String.format(Locale.ROOT, "%.1f", value));
        return this;
    }

    Json field(String key, boolean value) {
        key(key).out.append(value);
        return this;
    }

    Json object(String key, Map<String, ?> values) {
        key(key).out.append('{');
        boolean firstEntry = true;
        for (Map.Entry<String, ?> entry : values.entrySet()) {
            if (!firstEntry) {
                out.append(',');
            }
            firstEntry = false;
            quote(entry.getKey());
            out.append(':');
            if (entry.getValue() instanceof Number number) {
                out.append(number);
            } else {
                quote(String.valueOf(entry.getValue()));
            }
        }
        out.append('}');
        return this;
    }

    Json percentiles(String key, Percentiles p) {
        key(key).out.append(String.format(Locale.ROOT, "{\"count\":%d,\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f}",
            p.count(), p.p50(), p.p99(), p.max()));
        return this;
    }

    Json strings(String key, List<String> values) {
        key(key).out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            quote(values.get(i));
        }
        out.append(']');
        return this;
    }

    String end() {
        return out.append('}').toString();
    }

    private Json quote(String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        return this;
    }
}
