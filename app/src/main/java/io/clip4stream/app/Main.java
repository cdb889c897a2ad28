package io.clip4stream.app;

import io.clip4stream.app.cli.Clip4StreamCommand;
import io.clip4stream.runtime.http.VirtualThreadCarriers;
import java.io.PrintWriter;

/** Entry point of {@code bin/clip4stream}. */
public final class Main {
    private Main() {}

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        VirtualThreadCarriers.configure();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int status = Clip4StreamCommand.commandLine(out, err, System.getenv()).execute(args);
        System.exit(status);
    }
}
