"""The retrieval lab (DSCMR): CLI verbs."""
