"""Real places for the demo commons: cities, their area codes, postal codes and street names.

The demo must look like real member data, so that matching, normalisation (phone numbers are
validated against their country's numbering plan) and the map all behave as they will on real
submissions. Each city carries the telephone area codes actually used there and real postal
prefixes (Canadian forward sortation areas, US three-digit ZIP prefixes); the generator adds the
rest of the code. `weight` is roughly how much co-operative activity a city gets in the demo.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """A city the demo places co-ops in."""

    name: str
    region: str  # province/territory or state code
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    area_codes: tuple[str, ...]
    postal_prefixes: tuple[str, ...]  # FSA ("H2J") in Canada, ZIP3 ("554") in the USA
    weight: int = 1

    @property
    def french(self) -> bool:
        """Québec co-ops are often named and described in French."""
        return self.region == "QC"


def _p(name: str, region: str, country: str, lat: float, lon: float, area_codes: str,
       postal: str, weight: int = 1) -> Place:
    """Keep the table below to one line per city (codes space-separated)."""
    return Place(name, region, country, lat, lon, tuple(area_codes.split()),
                 tuple(postal.split()), weight)


PLACES: tuple[Place, ...] = (
    # Canada: every province and territory.
    _p("Montréal", "QC", "CA", 45.5019, -73.5674, "514 438", "H2J H2T H2L H2X H3B H1V H4C H2S",
       12),
    _p("Québec", "QC", "CA", 46.8139, -71.2080, "418 581", "G1R G1K G1S G1L", 6),
    _p("Sherbrooke", "QC", "CA", 45.4042, -71.8929, "819 873", "J1H J1J J1K", 3),
    _p("Gatineau", "QC", "CA", 45.4765, -75.7013, "819 873", "J8X J8Y J9H", 2),
    _p("Trois-Rivières", "QC", "CA", 46.3432, -72.5477, "819 873", "G9A G8T G8Z", 2),
    _p("Rimouski", "QC", "CA", 48.4490, -68.5230, "418 581", "G5L G5M", 1),
    _p("Saguenay", "QC", "CA", 48.4284, -71.0686, "418 581", "G7H G7B G7X", 2),
    _p("Laval", "QC", "CA", 45.6066, -73.7124, "450 579", "H7N H7G H7T", 2),
    _p("Longueuil", "QC", "CA", 45.5312, -73.5181, "450 579", "J4K J4H J4J", 2),
    _p("Lévis", "QC", "CA", 46.8033, -71.1779, "418 581", "G6V G6W", 1),
    _p("Rouyn-Noranda", "QC", "CA", 48.2366, -79.0231, "819 873", "J9X", 1),
    _p("Toronto", "ON", "CA", 43.6532, -79.3832, "416 647 437", "M5V M6G M4M M6K M5A M6J", 10),
    _p("Ottawa", "ON", "CA", 45.4215, -75.6972, "613 343", "K1N K1R K1S K2P K1Y", 5),
    _p("Hamilton", "ON", "CA", 43.2557, -79.8711, "905 289 365", "L8L L8P L8R", 3),
    _p("Kingston", "ON", "CA", 44.2312, -76.4860, "613 343", "K7L K7K K7M", 2),
    _p("Thunder Bay", "ON", "CA", 48.3809, -89.2477, "807", "P7A P7B P7E", 1),
    _p("Guelph", "ON", "CA", 43.5448, -80.2482, "519 226 548", "N1H N1E N1G", 2),
    _p("Sudbury", "ON", "CA", 46.4917, -80.9930, "705 249", "P3A P3B P3C P3E", 2),
    _p("London", "ON", "CA", 42.9849, -81.2453, "519 226 548", "N6A N6B N5W", 2),
    _p("Kitchener", "ON", "CA", 43.4516, -80.4925, "519 226 548", "N2G N2H N2M", 2),
    _p("Vancouver", "BC", "CA", 49.2827, -123.1207, "604 778 236", "V5L V5N V6A V6B V5T V6K", 8),
    _p("Victoria", "BC", "CA", 48.4284, -123.3656, "250 778 236", "V8V V8W V8T V9A", 3),
    _p("Nelson", "BC", "CA", 49.4928, -117.2948, "250 778", "V1L", 1),
    _p("Kamloops", "BC", "CA", 50.6745, -120.3273, "250 778", "V2C V2B", 1),
    _p("Prince George", "BC", "CA", 53.9171, -122.7497, "250 778", "V2L V2M V2N", 1),
    _p("Nanaimo", "BC", "CA", 49.1659, -123.9401, "250 778", "V9R V9S", 1),
    _p("Calgary", "AB", "CA", 51.0447, -114.0719, "403 587 825", "T2R T2S T3C T2E", 4),
    _p("Edmonton", "AB", "CA", 53.5461, -113.4938, "780 587 825", "T5H T6E T5J T5K", 4),
    _p("Lethbridge", "AB", "CA", 49.6935, -112.8418, "403 587", "T1J T1K T1H", 1),
    _p("Red Deer", "AB", "CA", 52.2690, -113.8116, "403 587", "T4N T4P", 1),
    _p("Saskatoon", "SK", "CA", 52.1332, -106.6700, "306 639", "S7K S7N S7M", 3),
    _p("Regina", "SK", "CA", 50.4452, -104.6189, "306 639", "S4P S4R S4S S4T", 2),
    _p("Prince Albert", "SK", "CA", 53.2033, -105.7531, "306 639", "S6V", 1),
    _p("Winnipeg", "MB", "CA", 49.8951, -97.1384, "204 431", "R3B R2W R3G R3M", 4),
    _p("Brandon", "MB", "CA", 49.8485, -99.9501, "204 431", "R7A R7B", 1),
    _p("Halifax", "NS", "CA", 44.6488, -63.5752, "902 782", "B3H B3J B3K B3L", 3),
    _p("Antigonish", "NS", "CA", 45.6169, -61.9986, "902 782", "B2G", 1),
    _p("Sydney", "NS", "CA", 46.1368, -60.1942, "902 782", "B1P B1S", 1),
    _p("Moncton", "NB", "CA", 46.0878, -64.7782, "506", "E1C E1A E1E", 2),
    _p("Fredericton", "NB", "CA", 45.9636, -66.6431, "506", "E3B E3A", 1),
    _p("Saint John", "NB", "CA", 45.2733, -66.0633, "506", "E2L E2K E2M", 1),
    _p("Charlottetown", "PE", "CA", 46.2382, -63.1311, "902 782", "C1A C1E", 1),
    _p("Summerside", "PE", "CA", 46.3959, -63.7876, "902 782", "C1N", 1),
    _p("St. John's", "NL", "CA", 47.5615, -52.7126, "709", "A1C A1B A1E", 2),
    _p("Corner Brook", "NL", "CA", 48.9500, -57.9522, "709", "A2H", 1),
    _p("Whitehorse", "YT", "CA", 60.7212, -135.0568, "867", "Y1A", 1),
    _p("Yellowknife", "NT", "CA", 62.4540, -114.3718, "867", "X1A", 1),
    _p("Iqaluit", "NU", "CA", 63.7467, -68.5170, "867", "X0A", 1),
    # United States.
    _p("Minneapolis", "MN", "US", 44.9778, -93.2650, "612", "554", 8),
    _p("Saint Paul", "MN", "US", 44.9537, -93.0900, "651", "551", 4),
    _p("Duluth", "MN", "US", 46.7867, -92.1005, "218", "558", 1),
    _p("Madison", "WI", "US", 43.0731, -89.4012, "608", "537", 4),
    _p("Milwaukee", "WI", "US", 43.0389, -87.9065, "414", "532", 2),
    _p("Chicago", "IL", "US", 41.8781, -87.6298, "312 773 872", "606", 6),
    _p("Detroit", "MI", "US", 42.3314, -83.0458, "313", "482", 3),
    _p("Ann Arbor", "MI", "US", 42.2808, -83.7430, "734", "481", 2),
    _p("Cleveland", "OH", "US", 41.4993, -81.6944, "216", "441", 3),
    _p("Columbus", "OH", "US", 39.9612, -82.9988, "614 380", "432", 2),
    _p("Indianapolis", "IN", "US", 39.7684, -86.1581, "317 463", "462", 1),
    _p("Pittsburgh", "PA", "US", 40.4406, -79.9959, "412 878", "152", 2),
    _p("Philadelphia", "PA", "US", 39.9526, -75.1652, "215 267 445", "191", 4),
    _p("New York", "NY", "US", 40.7128, -74.0060, "212 646 332", "100", 6),
    _p("Brooklyn", "NY", "US", 40.6782, -73.9442, "718 347 929", "112", 5),
    _p("Buffalo", "NY", "US", 42.8864, -78.8784, "716", "142", 1),
    _p("Ithaca", "NY", "US", 42.4440, -76.5019, "607", "148", 1),
    _p("Newark", "NJ", "US", 40.7357, -74.1724, "973 862", "071", 1),
    _p("Boston", "MA", "US", 42.3601, -71.0589, "617 857", "021", 4),
    _p("Northampton", "MA", "US", 42.3251, -72.6412, "413", "010", 2),
    _p("Burlington", "VT", "US", 44.4759, -73.2121, "802", "054", 2),
    _p("Manchester", "NH", "US", 42.9956, -71.4548, "603", "031", 1),
    _p("Portland", "ME", "US", 43.6591, -70.2568, "207", "041", 1),
    _p("Providence", "RI", "US", 41.8240, -71.4128, "401", "029", 1),
    _p("Hartford", "CT", "US", 41.7658, -72.6734, "860 959", "061", 1),
    _p("Wilmington", "DE", "US", 39.7391, -75.5398, "302", "198", 1),
    _p("Washington", "DC", "US", 38.9072, -77.0369, "202", "200", 3),
    _p("Baltimore", "MD", "US", 39.2904, -76.6122, "410 443 667", "212", 2),
    _p("Richmond", "VA", "US", 37.5407, -77.4360, "804", "232", 1),
    _p("Charleston", "WV", "US", 38.3498, -81.6326, "304 681", "253", 1),
    _p("Durham", "NC", "US", 35.9940, -78.8986, "919 984", "277", 2),
    _p("Asheville", "NC", "US", 35.5951, -82.5515, "828", "288", 1),
    _p("Columbia", "SC", "US", 34.0007, -81.0348, "803 839", "292", 1),
    _p("Atlanta", "GA", "US", 33.7490, -84.3880, "404 470 678", "303", 3),
    _p("Miami", "FL", "US", 25.7617, -80.1918, "305 786", "331", 2),
    _p("Birmingham", "AL", "US", 33.5186, -86.8104, "205 659", "352", 1),
    _p("Jackson", "MS", "US", 32.2988, -90.1848, "601 769", "392", 2),
    _p("New Orleans", "LA", "US", 29.9511, -90.0715, "504", "701", 2),
    _p("Nashville", "TN", "US", 36.1627, -86.7816, "615 629", "372", 2),
    _p("Louisville", "KY", "US", 38.2527, -85.7585, "502", "402", 1),
    _p("Little Rock", "AR", "US", 34.7465, -92.2896, "501", "722", 1),
    _p("Austin", "TX", "US", 30.2672, -97.7431, "512 737", "787", 3),
    _p("Houston", "TX", "US", 29.7604, -95.3698, "713 832 281 346", "770", 2),
    _p("Oklahoma City", "OK", "US", 35.4676, -97.5164, "405 572", "731", 1),
    _p("Kansas City", "MO", "US", 39.0997, -94.5786, "816", "641", 2),
    _p("Omaha", "NE", "US", 41.2565, -95.9345, "402 531", "681", 1),
    _p("Des Moines", "IA", "US", 41.5868, -93.6250, "515", "503", 1),
    _p("Fargo", "ND", "US", 46.8772, -96.7898, "701", "581", 1),
    _p("Sioux Falls", "SD", "US", 43.5446, -96.7311, "605", "571", 1),
    _p("Denver", "CO", "US", 39.7392, -104.9903, "303 720", "802", 3),
    _p("Boulder", "CO", "US", 40.0150, -105.2705, "303 720", "803", 1),
    _p("Cheyenne", "WY", "US", 41.1400, -104.8202, "307", "820", 1),
    _p("Albuquerque", "NM", "US", 35.0844, -106.6504, "505", "871", 1),
    _p("Tucson", "AZ", "US", 32.2226, -110.9747, "520", "857", 1),
    _p("Salt Lake City", "UT", "US", 40.7608, -111.8910, "801 385", "841", 1),
    _p("Las Vegas", "NV", "US", 36.1699, -115.1398, "702 725", "891", 1),
    _p("Oakland", "CA", "US", 37.8044, -122.2712, "510 341", "946", 4),
    _p("San Francisco", "CA", "US", 37.7749, -122.4194, "415 628", "941", 4),
    _p("Los Angeles", "CA", "US", 34.0522, -118.2437, "213 323", "900", 3),
    _p("Sacramento", "CA", "US", 38.5816, -121.4944, "916 279", "958", 1),
    _p("Arcata", "CA", "US", 40.8665, -124.0828, "707", "955", 1),
    _p("Seattle", "WA", "US", 47.6062, -122.3321, "206", "981", 4),
    _p("Olympia", "WA", "US", 47.0379, -122.9007, "360 564", "985", 2),
    _p("Bellingham", "WA", "US", 48.7519, -122.4787, "360 564", "982", 1),
    _p("Spokane", "WA", "US", 47.6588, -117.4260, "509", "992", 1),
    _p("Portland", "OR", "US", 45.5152, -122.6784, "503 971", "972", 4),
    _p("Eugene", "OR", "US", 44.0521, -123.0868, "541 458", "974", 2),
    _p("Bend", "OR", "US", 44.0582, -121.3153, "541 458", "977", 1),
    _p("Boise", "ID", "US", 43.6150, -116.2023, "208 986", "837", 1),
    _p("Missoula", "MT", "US", 46.8721, -113.9940, "406", "598", 1),
    _p("Anchorage", "AK", "US", 61.2181, -149.9003, "907", "995", 1),
    _p("Juneau", "AK", "US", 58.3005, -134.4197, "907", "998", 1),
)

# Street names used everywhere, and the French ones used in Québec.
STREETS_EN: tuple[str, ...] = (
    "Main Street", "King Street", "Queen Street", "Church Street", "Water Street", "Elm Street",
    "Oak Avenue", "Maple Avenue", "Park Avenue", "Cedar Street", "Mill Road", "River Road",
    "Lake Street", "Union Street", "Market Street", "Front Street", "Pine Street",
    "Washington Avenue", "Lincoln Avenue", "Jefferson Street", "Franklin Street", "Broadway",
    "1st Avenue", "2nd Street", "3rd Avenue", "4th Street", "5th Avenue", "College Street",
    "University Avenue", "Grand Avenue", "Division Street", "Central Avenue", "Spring Street",
    "Hill Street", "Bridge Street", "Railway Street", "Prospect Avenue", "Orchard Road",
    "Harbour Road", "Victoria Street", "Albert Street", "Wellington Street", "Portage Avenue",
    "Commercial Drive", "Bloor Street West", "Dundas Street", "Lake Avenue", "Riverside Drive",
)
STREETS_FR: tuple[str, ...] = (
    "rue Saint-Denis", "boulevard Saint-Laurent", "avenue du Parc", "rue Ontario Est",
    "rue Sainte-Catherine", "avenue Mont-Royal", "rue Notre-Dame", "rue Saint-Jean",
    "boulevard René-Lévesque", "rue Principale", "chemin du Lac", "rue de l'Église",
    "avenue des Érables", "rue Wellington", "rue King Ouest", "boulevard Talbot",
    "rue Racine", "rue des Forges", "rue Bélanger", "rue Masson", "avenue Papineau",
    "rue Beaubien Est", "chemin Sainte-Foy", "rue du Pont", "rue Saint-Joseph",
)
