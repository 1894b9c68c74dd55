package io.ringbus.stress.common;

import java.util.Locale;

/**
 * The JSON writer of every {@code --json} output of bus-examples: objects, arrays, strings, numbers,
 * booleans and null, written in the order given, on one line. Strings are escaped as JSON requires
 * (quotes, backslashes and every control character); a number that is not finite is written as
 * {@code null}, which JSON has instead of NaN.
 *
 * <pre>
 *   new Json().open('{').field("name").string("t").field("sizes").open('[').number(1).number(2)
 *       .close(']').close('}')                                        {"name":"t","sizes":[1,2]}
 * </pre>
 */
public final class Json {
    private final StringBuilder text = new StringBuilder();
    private boolean needComma;

    /** Starts an object (bracket '{') or an array ('['). */
    public Json open(char bracket) {
        comma();
        text.append(bracket);
        needComma = false;
        return this;
    }

    /** Ends an object (bracket '}') or an array (']'). */
    public Json close(char bracket) {
        text.append(bracket);
        needComma = true;
        return this;
    }

    /** The name of the next value of an object. */
    public Json field(String name) {
        comma();
        quote(name);
        text.append(':');
        needComma = false;
        return this;
    }

    /** A string, or null. */
    public Json string(String value) {
        comma();
        if (value == null) {
            text.append("null");
        } else {
            quote(value);
        }
        needComma = true;
        return this;
    }

    /** A whole number. */
    public Json number(long value) {
        return literal(Long.toString(value));
    }

    /** A number as Java writes a double ({@code 0.15}, {@code 1.0E7}); null when it is not finite. */
    public Json number(double value) {
        return literal(Double.isFinite(value) ? Double.toString(value) : "null");
    }

    /** A number with {@code places} digits after the point ({@code 61.2000}); null when it is not finite. */
    public Json decimal(double value, int places) {
        return literal(Double.isFinite(value) ? String.format(Locale.ROOT, "%." + places + "f", value) : "null");
    }

    /** {@code true} or {@code false}. */
    public Json bool(boolean value) {
        return literal(Boolean.toString(value));
    }

    /** The JSON written so far. */
    @Override
    public String toString() {
        return text.toString();
    }

    private Json literal(String value) {
        comma();
        text.append(value);
        needComma = true;
        return this;
    }

    private void comma() {
        if (needComma) {
            text.append(',');
            needComma = false;
        }
    }

    private void quote(String value) {
        text.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                default -> {
                    if (c < 0x20) {
                        text.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        text.append('"');
    }
}
