"""The shared kit of the generated domains: plain Go (package domainkit),
written into the target by the plugin."""
