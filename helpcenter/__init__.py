"""Help center: the multilingual knowledge base and its search."""
