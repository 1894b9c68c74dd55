package io.ringbus.examples.support;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Byte sizes on the command line: {@code 65536}, {@code 64k}, {@code 64KiB}, {@code 1m}, {@code 1MiB}, {@code 1g}. */
public final class SizeConverter implements ITypeConverter<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(?:([kmg])(?:i?b)?)?");

    @Override
    public Integer convert(String value) {
        Matcher matcher = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new TypeConversionException("'" + value + "' is not a size (examples: 65536, 64k, 1MiB)");
        }
        long bytes = Long.parseLong(matcher.group(1));
        if (matcher.group(2) != null) {
            bytes <<= switch (matcher.group(2)) {
                case "k" -> 10;
                case "m" -> 20;
                default -> 30;
            };
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new TypeConversionException("'" + value + "' is larger than 2 GiB");
        }
        return (int) bytes;
    }
}
