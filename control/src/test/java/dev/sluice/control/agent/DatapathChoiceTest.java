package dev.sluice.control.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.control.observe.AgentMetrics;
import dev.sluice.control.observe.AgentStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DatapathChoiceTest {

    @Test
    void datapathFlagDefaultsToAutoAndParsesEachChoice() {
        SluiceAgent agent = new SluiceAgent();
        new CommandLine(agent).parseArgs();
        assertThat(DatapathChoice.parse(agent.options.datapath)).isEqualTo(DatapathChoice.AUTO);
        new CommandLine(agent).parseArgs("--datapath", "ipvs", "--masquerade-all");
        assertThat(DatapathChoice.parse(agent.options.datapath)).isEqualTo(DatapathChoice.IPVS);
        assertThat(agent.options.masqueradeAll).isTrue();
        assertThat(DatapathChoice.parse("eBPF")).isEqualTo(DatapathChoice.EBPF);
        assertThatThrownBy(() -> DatapathChoice.parse("iptables"))
                .hasMessage("--datapath: 'iptables' is none of auto, ebpf, ipvs");
    }

    @Test
    void statusAndMetricsNameTheDatapath() throws Exception {
        String json = new ObjectMapper().writeValueAsString(
                new AgentStatus("node-a", "ipvs", "kubernetes", true, null, 1, 2, List.of(), null, null)
                        .withDatapathFallback("EPERM loading xdp_node"));
        assertThat(json).contains("\"datapath\":\"ipvs\"").contains("\"datapathMode\":\"ipvs\"")
                .contains("\"datapathFallback\":\"EPERM loading xdp_node\"");

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new AgentMetrics(registry).datapath("ipvs", true);
        assertThat(registry.scrape()).contains("sluice_datapath_info{datapath=\"ipvs\",fallback=\"true\"} 1");
    }
}
