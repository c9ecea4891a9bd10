"""The marketplace (issue 22): co-ops' offerings and demands as linked data.

`categories` knows the schemes an offering is filed under (ESSGlobal's UNSPSC services, our
goods, our certifications); `offers` reads an offering as a member writes it and turns it into
schema.org Offer/Demand, GoodRelations and ESSGlobal statements, split by the same publication
policy as every other field of the co-op's record.
"""
