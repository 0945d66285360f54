"""The web console: the second front door, over the same rules as mail (README "Web console").
Imports flow app -> web -> workflow -> models; web never imports app/, ingest/ or outbound/."""
