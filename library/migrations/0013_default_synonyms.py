"""A default list of synonyms in council language (issue 19): abbreviations and their written-out
forms, and words councils use for the same thing. Editors change it in the back office."""

from django.db import migrations

DEFAULT_SYNONYMS = [
    ("ov\nopenbaar vervoer", ""),
    ("Wmo\nwet maatschappelijke ondersteuning\nmaatschappelijke ondersteuning", ""),
    ("Wlz\nwet langdurige zorg", ""),
    ("pgb\npersoonsgebonden budget", ""),
    ("statushouders\nvergunninghouders\nvergunningshouders", "Asielzoekers met een verblijfsvergunning."),
    ("jeugdzorg\njeugdhulp", ""),
    ("azc\nasielzoekerscentrum\nasielzoekerscentra", ""),
    ("COA\ncentraal orgaan opvang asielzoekers", ""),
    ("RES\nregionale energiestrategie", ""),
    ("ozb\nonroerendezaakbelasting\nonroerende zaakbelasting", ""),
    ("woningcorporatie\nwoningbouwcorporatie\nwoningbouwvereniging\nwooncorporatie", ""),
    ("dijkversterking\ndijkverzwaring\ndijkverbetering", ""),
    ("cyberaanval\ncyberincident\nhack", ""),
    ("afvalinzameling\nhuisvuilinzameling\nvuilophaal", ""),
    ("bso\nbuitenschoolse opvang", ""),
    ("kdv\nkinderdagverblijf", ""),
    ("vve\nvoor- en vroegschoolse educatie", ""),
    ("GGD\ngemeentelijke gezondheidsdienst", ""),
    ("ggz\ngeestelijke gezondheidszorg", ""),
    ("APV\nalgemene plaatselijke verordening", ""),
    ("bestemmingsplan\nomgevingsplan", "Het omgevingsplan vervangt onder de Omgevingswet het bestemmingsplan."),
    ("mkb\nmidden- en kleinbedrijf", ""),
    ("zzp'er\nzelfstandige zonder personeel", ""),
    ("schuldhulpverlening\nschuldhulp\nschuldendienstverlening", ""),
    ("laadpaal\nlaadpunt\noplaadpunt", ""),
    ("zonnepanelen\npv-panelen", ""),
    ("windturbine\nwindmolen", ""),
    ("lhbti\nlhbtiq", ""),
    ("raadsinformatiebrief\nRIB", ""),
    ("GS\ngedeputeerde staten", ""),
    ("PS\nprovinciale staten", ""),
    ("VNG\nvereniging van nederlandse gemeenten", ""),
    ("IPO\ninterprovinciaal overleg", ""),
    ("daklozen\ndak- en thuislozen\nthuislozen", ""),
    ("arbeidsmigranten\nbuitenlandse werknemers", ""),
    ("ondermijning\nondermijnende criminaliteit\ngeorganiseerde criminaliteit", ""),
    ("cameratoezicht\ncamerabewaking", ""),
    ("blauwalg\ncyanobacterien", ""),
    ("wolf\nwolven", ""),
    ("ouderen\nsenioren", ""),
    ("boa\nbuitengewoon opsporingsambtenaar\nhandhaver", ""),
    ("vo\nvoortgezet onderwijs", ""),
    ("po\nprimair onderwijs\nbasisonderwijs", ""),
    ("mbo\nmiddelbaar beroepsonderwijs", ""),
    ("eenzaamheid\nsociaal isolement", ""),
    ("openbaar groen\ngroenvoorziening", ""),
    ("speeltuin\nspeelplaats\nspeelvoorziening", ""),
]


def add_defaults(apps, schema_editor):
    SynonymGroup = apps.get_model("library", "SynonymGroup")
    SynonymGroup.objects.bulk_create([SynonymGroup(terms=terms, note=note) for terms, note in DEFAULT_SYNONYMS])


def remove_defaults(apps, schema_editor):
    SynonymGroup = apps.get_model("library", "SynonymGroup")
    SynonymGroup.objects.filter(terms__in=[terms for terms, _note in DEFAULT_SYNONYMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0012_synonym_group")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
