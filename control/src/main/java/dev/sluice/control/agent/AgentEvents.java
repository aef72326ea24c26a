package dev.sluice.control.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * What the agent tells the cluster through Events, so that {@code kubectl describe} shows it where
 * users look: that sluice started on a node, and why it refused part of a Service or slice.
 */
interface AgentEvents {
    AgentEvents NONE = new AgentEvents() {
        @Override
        public void started(String nodeName) {
        }

        @Override
        public void refused(HasMetadata object, String field, String message) {
        }
    };

    void started(String nodeName);

    void refused(HasMetadata object, String field, String message);
}
