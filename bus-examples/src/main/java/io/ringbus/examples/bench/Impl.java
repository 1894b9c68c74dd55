package io.ringbus.examples.bench;

/** The two rings every harness compares, and how their child JVMs are started. */
enum Impl {
    RINGBUS("ringbus", false),
    AGRONA("Agrona", true);

    private final String label;
    private final boolean needsAgronaFlags;

    Impl(String label, boolean needsAgronaFlags) {
        this.label = label;
        this.needsAgronaFlags = needsAgronaFlags;
    }

    String label() {
        return label;
    }

    /** Whether this ring's JVMs get {@link ChildJvm#AGRONA_FLAGS}. */
    boolean needsAgronaFlags() {
        return needsAgronaFlags;
    }
}
