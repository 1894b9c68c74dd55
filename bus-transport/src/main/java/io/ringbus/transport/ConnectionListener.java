package io.ringbus.transport;

/**
 * Told when a stream endpoint loses or regains its bridge. Called on the thread that noticed (the
 * one calling {@code offer}, {@code poll} or {@code await}); keep it short.
 */
public interface ConnectionListener {
    /** The connection broke: {@code reason} says how (end of stream, reset, rejected). */
    void onDisconnected(TransportUri uri, String topic, String reason);

    /** The endpoint connected again after a break. */
    void onReconnected(TransportUri uri, String topic);

    /** A listener that writes one line per event to standard error. */
    static ConnectionListener toStandardError() {
        return new ConnectionListener() {
            @Override
            public void onDisconnected(TransportUri uri, String topic, String reason) {
                System.err.println("ringbus: " + uri + " topic " + topic + " disconnected: " + reason
                    + "; reconnecting when the bridge is back");
            }

            @Override
            public void onReconnected(TransportUri uri, String topic) {
                System.err.println("ringbus: " + uri + " topic " + topic + " reconnected");
            }
        };
    }
}
