package io.ringbus.core.ring;

/** How many publishers may write a ring at once; fixed by the ring's creator. */
public enum ProducerMode {
    /** One publisher: claims are plain release stores, no compare-and-set. */
    SINGLE(1),
    /** Any number of publishers: each claim is a compare-and-set on the tail. */
    MANY(2);

    private final int code;

    ProducerMode(int code) {
        this.code = code;
    }

    /** The value stored in the ring header. */
    public int code() {
        return code;
    }

    /** The mode stored as {@code code}, or {@code null} when the code is unknown. */
    public static ProducerMode fromCode(int code) {
        for (ProducerMode mode : values()) {
            if (mode.code == code) {
                return mode;
            }
        }
        return null;
    }
}
