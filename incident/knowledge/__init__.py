"""The knowledge base (issue 24 point 2; 001 §4.1, DOMAIN.md §7): closed
incidents' approved answers and their customers' questions, and entries
written by hand, kept under four eyes and searched beside live incidents."""
