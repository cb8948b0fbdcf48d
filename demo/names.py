"""Invented, Dutch-sounding building blocks for the demo data set. Combinations are random; any
resemblance to a real person is coincidence."""

GIVEN_NAMES = [
    "Anouk", "Bram", "Carlijn", "Daan", "Eline", "Floris", "Gerda", "Hidde", "Inge", "Joost", "Karin", "Lars",
    "Marieke", "Niels", "Oda", "Pieter", "Quinten", "Roos", "Sander", "Tessa", "Ugo", "Vera", "Wouter", "Yara",
    "Zeger", "Annelies", "Bart", "Chantal", "Dirk", "Esther", "Fenna", "Gijs", "Hanneke", "Ivo", "Janneke", "Koen",
    "Lieke", "Maarten", "Nienke", "Olaf", "Petra", "Rik", "Sanne", "Thijs", "Ursula", "Vincent", "Wilma", "Jeroen",
    "Fatima", "Mehmet", "Soufiane", "Priya", "Samira", "Emre", "Nadia", "Kwame", "Lotte", "Jelle", "Sietske", "Wybren",
    "Hester", "Ruben", "Marloes", "Teun", "Femke", "Gert-Jan", "Mirjam", "Stijn", "Ilse", "Hendrik",
]
INFIXES = ["", "", "", "", "", "van", "de", "van der", "van den", "van de", "ter", "den", "in 't"]
FAMILY_NAMES = [
    "Aalbers", "Berkhout", "Brinkman", "Coenen", "Dijkhuis", "Eijkelboom", "Feenstra", "Groeneveld", "Haverkamp",
    "Hoekstra", "IJzerman", "Jongsma", "Kampen", "Klaassen", "Lammers", "Leemhuis", "Molenaar", "Nijboer", "Oosterhof",
    "Postma", "Reinders", "Roelofs", "Scholten", "Stuiver", "Terpstra", "Veenstra", "Vermeulen", "Wagenaar", "Westra",
    "Zwart", "Akkerman", "Bosch", "Dekkers", "Evers", "Gerritsen", "Hulst", "Kuipers", "Lubbers", "Mooij", "Noordhoek",
    "Overbeek", "Pronk", "Rietveld", "Schouten", "Timmer", "Valk", "Wolters", "Ypma", "Zijlstra", "Bergsma", "Hof",
    "Broek", "Velde", "Heuvel", "Linden", "Berg", "Meer", "Veen", "Wal", "Haar", "Horst", "El Amrani", "Yilmaz",
    "Kaya", "Boateng", "Ramdin", "Soekhai", "Nguyen", "Bouzid", "Kartosen",
]
# Family names that read naturally after an infix ("van der Meer", "ter Horst").
INFIX_FAMILY_NAMES = ["Broek", "Velde", "Heuvel", "Linden", "Berg", "Meer", "Veen", "Wal", "Haar", "Horst", "Hof", "Bosch"]

PORTFOLIOS = [
    "Wonen en ruimtelijke ordening",
    "Zorg en welzijn",
    "Jeugd en onderwijs",
    "Financiën",
    "Economie en werk",
    "Klimaat en energie",
    "Verkeer en vervoer",
    "Cultuur en sport",
    "Armoede en schulden",
    "Openbare orde en veiligheid",
    "Landbouw en natuur",
    "Water en dijken",
]

BIO_OPENINGS = [
    "Sinds {year} actief in de {council}.",
    "Ik zit sinds {year} in de {council} en woon al mijn hele leven in de regio.",
    "Voor mijn tijd in de {council} werkte ik in het onderwijs.",
    "Naast mijn werk in de {council} ben ik vrijwilliger bij de voedselbank.",
    "Oud-wijkagent, sinds {year} in de {council}.",
    "Ondernemer in de bouw en sinds {year} lid van de {council}.",
]
BIO_TOPICS = [
    "Ik houd me vooral bezig met {topic}.",
    "Mijn speerpunt is {topic}; ik deel graag moties en ervaringen.",
    "Vraag me gerust over {topic}: daar heb ik veel aan gewerkt.",
    "Ik zoek collega's in andere gemeenten die ook met {topic} bezig zijn.",
]
STREETS = ["Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Stationsweg", "Julianalaan", "Beatrixstraat",
           "Wilhelminapark", "Nieuwe Gracht", "Dijkweg", "Lindelaan", "Esdoornhof"]
