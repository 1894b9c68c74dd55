package io.ringbus.examples.support;

/** Byte counts as the commands print them: in the largest binary unit that divides them exactly. */
public final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB"};

    private Sizes() {
    }

    /** 1048576 as "1 MiB", 1000 as "1000 B". */
    public static String bytes(long value) {
        int unit = 0;
        while (unit < UNITS.length - 1 && value >= 1024 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + " " + UNITS[unit];
    }
}
