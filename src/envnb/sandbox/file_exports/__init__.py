"""File-download exports (contract §13): runs that write real files, handed out by a 302."""
