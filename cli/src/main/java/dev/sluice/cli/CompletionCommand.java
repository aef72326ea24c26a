package dev.sluice.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice completion}: a bash completion script for every command and option. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        header = "A bash completion script.",
        description = {"Prints a bash completion script. Load it with", "",
            "  source <(sluice completion)", "",
            "or save it as /etc/bash_completion.d/sluice."})
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        String script = AutoComplete.bash("sluice", spec.parent().commandLine());
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
    }
}
