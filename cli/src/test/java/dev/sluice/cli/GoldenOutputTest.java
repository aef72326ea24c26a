package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ffm.testing.KernelTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table output of every map command against golden files, over a datapath with fixed content. */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoldenOutputTest {
    private LabDatapath lab;

    @BeforeAll
    void load() {
        lab = LabDatapath.create();
        lab.writeDeterministicState();
    }

    @AfterAll
    void close() {
        if (lab != null) {
            lab.close();
        }
    }

    @ParameterizedTest(name = "sluice {1}")
    @CsvSource(delimiter = '|', value = {
        "services.txt            | services",
        "services-no-backends.txt | services --no-backends",
        "services-dns.txt        | services --service kube-system/dns",
        "backends.txt            | backends",
        "maglev-web.txt          | maglev 1",
        "maglev-dns-full.txt     | maglev 3 --full",
        "maglev-web6-port.txt    | maglev default/web6:80",
        "ct.txt                  | ct",
        "ct-udp.txt              | ct --protocol udp",
        "ct-address.txt          | ct --address 2001:db8:1::10",
        "ct-service-reply.txt    | ct --service default/web --direction reply",
        "ct-port.txt             | ct --port 30080",
        "nat.txt                 | nat",
        "affinity.txt            | affinity",
        "affinity-client.txt     | affinity --address 198.18.0.7",
        "stats.txt               | stats",
    })
    void tableOutputMatchesItsGoldenFile(String golden, String commandLine) {
        CliRun run = lab.cli(commandLine.split(" "));
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        Golden.assertMatches(golden, run.out());
    }

    @Test
    void anAmbiguousServiceListsTheIdsToChooseFrom() {
        CliRun run = lab.cli("maglev", "default/web");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("sluice: service default/web is ambiguous, choose one of: "
                + "1 (default/web:http IPv4 tcp), 2 (default/web:http (local) IPv4 tcp)\n");
    }

    @Test
    void anUnknownServiceIsNamed() {
        CliRun run = lab.cli("maglev", "default/nothing");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(run.err()).startsWith("sluice: no service default/nothing in ").endsWith("\n").hasLineCount(1);
    }

    @Test
    void aServiceWithoutBackendsHasNoTable() {
        CliRun run = lab.cli("maglev", "default/empty");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(run.err()).isEqualTo("sluice: service 5 (default/empty:https) has no Maglev table (no backends)\n");
    }
}
