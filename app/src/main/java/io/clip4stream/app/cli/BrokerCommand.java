package io.clip4stream.app.cli;

import io.clip4stream.kafka.embedded.EmbeddedKafkaCluster;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clip4stream broker}: runs the embedded Kafka broker in the foreground until Ctrl-C. */
@Command(
        name = "broker",
        description = "Run an embedded Apache Kafka broker (KRaft) in the foreground and print its bootstrap address.")
public final class BrokerCommand implements Callable<Integer> {
    /** Where broker data lives unless {@code --data-dir} says otherwise. */
    public static final Path DEFAULT_DATA_DIR = Path.of(".clip4stream", "kafka");

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", description = "Broker port of the first node (default: 9092).", defaultValue = "9092")
    private int port;

    @Option(names = "--nodes", description = "Combined broker+controller nodes (default: 1).", defaultValue = "1")
    private int nodes;

    @Option(
            names = "--data-dir",
            description = "Data directory; kept across restarts (default: .clip4stream/kafka).",
            defaultValue = ".clip4stream/kafka")
    private Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder()
                .nodes(nodes)
                .brokerPort(port)
                .dataDir(dataDir.toAbsolutePath())
                .build();
        Thread hook = new Thread(
                () -> {
                    cluster.close();
                    stopped.countDown();
                },
                "broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        cluster.start();
        var out = spec.commandLine().getOut();
        out.println("Kafka is running. bootstrap.servers=" + cluster.bootstrapServers());
        out.println("Data: " + cluster.dataDir() + "  (Ctrl-C to stop)");
        out.flush();
        stopped.await();
        return 0;
    }
}
