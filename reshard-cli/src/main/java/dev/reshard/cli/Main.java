package dev.reshard.cli;

/** Entry point of {@code reshard.jar}: runs {@link ReshardCommand} and exits with its code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(ReshardCommand.commandLine().execute(args));
    }
}
