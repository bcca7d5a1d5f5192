"""Issue 5 "Pathways": composite-award rules, their pure evaluation against counted credentials, and the explanation."""
