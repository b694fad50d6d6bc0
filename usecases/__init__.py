"""The use-case layer: the product's verbs, where authority and privacy are decided."""
