package io.ringbus.core.process;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * A publisher process: publisher {@code --id} on {@code --topic} in bus directory {@code --dir}
 * sends messages 0, 1, 2... ({@link Messages}), retrying while back-pressured.
 *
 * <p>Options: {@code --count N} messages, then {@code DONE sent=N backPressured=B} and exit;
 * {@code --go FILE} waits for the file to exist before sending; {@code --commands true} instead
 * reads commands from standard input: {@code send N} (then prints {@code SENT total}) and
 * {@code exit}. {@code --capacity}, {@code --spread} (message length spread, default 100).
 *
 * <p>Prints {@code READY pid} once the publisher exists, {@code BACKPRESSURED seq} when an offer
 * of message {@code seq} is first refused with {@link Result#BACK_PRESSURED}, and
 * {@code RESUMED seq} when it then succeeds. Any other negative result prints {@code RESULT ...}
 * and exits with 5; an exception exits as {@link ChildSupport} says.
 */
final class PublisherMain {
    private int sent;
    private long backPressured;

    private PublisherMain() {
    }

    public static void main(String[] args) {
        ChildSupport.run(args, new PublisherMain()::run);
    }

    private void run(ChildSupport args) throws Exception {
        int id = args.getInt("id", 0);
        int spread = args.getInt("spread", 100);
        try (Bus bus = Bus.open(args.busContext())) {
            Publisher publisher = bus.newPublisher(args.get("topic"), args.topicConfig());
            ChildSupport.event("READY " + ProcessHandle.current().pid());
            if (args.has("go")) {
                ChildSupport.awaitFile(Path.of(args.get("go")), false);
            }
            if (Boolean.parseBoolean(args.get("commands", "false"))) {
                BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String command;
                while ((command = commands.readLine()) != null && !command.equals("exit")) {
                    if (command.startsWith("send ")) {
                        send(publisher, id, Integer.parseInt(command.substring(5).trim()), spread);
                        ChildSupport.event("SENT " + sent);
                    }
                }
            } else {
                send(publisher, id, args.getInt("count", 0), spread);
                ChildSupport.event("DONE sent=" + sent + " backPressured=" + backPressured);
            }
        }
    }

    private void send(Publisher publisher, int id, int count, int spread) {
        for (int i = 0; i < count; i++) {
            byte[] message = Messages.encode(id, sent, spread);
            boolean refused = false;
            while (true) {
                long result = publisher.offer(message);
                if (result >= 0) {
                    break;
                }
                if (result == Result.BACK_PRESSURED) {
                    backPressured++;
                    if (!refused) {
                        refused = true;
                        ChildSupport.event("BACKPRESSURED " + sent);
                    }
                    LockSupport.parkNanos(50_000);
                } else if (result != Result.ADMIN_ACTION) {
                    ChildSupport.event("RESULT " + Result.describe(result) + " at " + sent);
                    ChildSupport.flush();
                    Runtime.getRuntime().halt(5);
                }
            }
            if (refused) {
                ChildSupport.event("RESUMED " + sent);
            }
            sent++;
        }
    }
}
