// The TypeScript snippet of the multi-agent sharing guide, as the guide prints it.
// It expects an ALMA service on http://localhost:8765 with the guide's complete example config
// (../.alma/config.yaml) applied to project `my-team`; README.md beside this file says how.

import { ALMA } from 'alma-memory';

const alma = new ALMA({
  baseUrl: 'http://localhost:8765',
  projectId: 'my-team'
});

// Retrieve with shared memories
const memories = await alma.retrieve({
  query: 'implement authentication',
  agent: 'junior_developer',
  topK: 10,
  includeShared: true
});

// Check origin
memories.heuristics.forEach(h => {
  if (h.metadata?.shared_from) {
    console.log(`Learned from ${h.metadata.shared_from}: ${h.strategy}`);
  }
});
