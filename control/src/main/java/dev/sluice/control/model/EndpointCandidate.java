package dev.sluice.control.model;

import java.util.Set;

/** An endpoint with the topology hints that only categorization needs. Empty sets mean no hint. */
record EndpointCandidate(Endpoint endpoint, Set<String> zoneHints, Set<String> nodeHints) {}
